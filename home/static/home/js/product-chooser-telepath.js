/* The product chooser widget of the page editor: Wagtail's generic chooser plus the product's photo. */
(function () {
  'use strict';
  const ChooserFactory = window.telepath.constructors['wagtail.admin.widgets.Chooser'];

  class ProductChooserFactory extends ChooserFactory {
    constructor(...args) {
      super(...args);
      const BaseWidget = this.widgetClass;
      this.widgetClass = class ProductChooser extends BaseWidget {
        initHTMLElements(id) {
          super.initHTMLElements(id);
          this.previewImage = this.chooserElement.querySelector('[data-product-chooser-image]');
          this.previewIcon = this.chooserElement.querySelector('[data-product-chooser-icon]');
        }

        getStateFromHTML() {
          const state = super.getStateFromHTML();
          if (state && this.previewImage && this.previewImage.getAttribute('src')) {
            state.preview = { url: this.previewImage.getAttribute('src') };
          }
          return state;
        }

        renderState(state) {
          super.renderState(state);
          if (!this.previewImage) return;
          const url = state && state.preview ? state.preview.url : '';
          if (url) {
            this.previewImage.setAttribute('src', url);
          } else {
            this.previewImage.removeAttribute('src');
          }
          this.previewImage.hidden = !url;
          if (this.previewIcon) this.previewIcon.hidden = Boolean(url);
        }
      };
    }
  }

  window.telepath.register('home.widgets.ProductChooser', ProductChooserFactory);
})();
